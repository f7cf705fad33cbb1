"""The user's own model: import their file, call their factory, check what it returned.

The contract (docs/your-model.md): a function of no arguments returning
`(model, example_inputs)`, the model a torch.nn.Module, a Keras 3 model or a tf.Module
(or an object with a tf.function `__call__`), the inputs a tuple of tensors or NumPy
arrays. Only a probe process imports the user's code, after reserve_stdout, so a
factory that prints cannot spoil the result document. Every way the contract is
broken becomes one UserModelError line naming the place in the user's file.
"""

import hashlib
import importlib
import importlib.util
import os
import re
import sys
import traceback

KINDS = ("torch", "keras", "tensorflow")
KERAS_BACKENDS = ("tensorflow", "torch", "jax")  # the ones bench --model times, in order
_MODULE_NAME = "framework_advisor_user_model"


class UserModelError(Exception):
    """The user's model broke the contract; the message is the one line to show."""


_ANSI = re.compile(r"\x1b\[[0-9;]*m")


def _chain(exc):
    """The exception and the ones it was raised from, outermost first."""
    found = [exc]
    while found[-1].__cause__ is not None and len(found) < 20:
        found.append(found[-1].__cause__)
    return found


def first_line(exc, limit=400):
    """The first meaningful line of the innermost cause (an exporter wraps its finding)."""
    exc = _chain(exc)[-1]
    lines = [_ANSI.sub("", line).strip() for line in str(exc).splitlines()]
    lines = [line for line in lines if line and set(line) - set("=-*# ")]
    line = "%s: %s" % (type(exc).__name__, lines[0]) if lines else type(exc).__name__
    return line if len(line) <= limit else line[: limit - 1] + "\u2026"


def last_line(exc, limit=400):
    """The exception's last line, as a traceback ends."""
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    line = "%s: %s" % (type(exc).__name__, lines[-1]) if lines else type(exc).__name__
    return line if len(line) <= limit else line[: limit - 1] + "\u2026"


def shown_path(path):
    """A path relative to the working folder when it lies under it."""
    try:
        relative = os.path.relpath(path)
    except ValueError:  # another drive (Windows)
        return path
    return path if relative.startswith(".." + os.sep) else relative


def place_in(exc, user_file):
    """'file:line' of the deepest point in the user's file an exception passed or names."""
    if not user_file:
        return None
    wanted = os.path.realpath(user_file)
    found = None
    for link in _chain(exc):
        for frame in traceback.extract_tb(link.__traceback__):
            if os.path.realpath(frame.filename) == wanted:
                found = frame.lineno
        found = _line_named_in(str(link), wanted) or found
    return None if found is None else "%s:%d" % (shown_path(user_file), found)


def _line_named_in(text, wanted):
    """The last 'File "...", line N' of the user's file quoted in an exporter's message."""
    found = None
    for match in re.finditer(r'File "([^"]+)", line (\d+)', text):
        if os.path.realpath(match.group(1)) == wanted:
            found = int(match.group(2))
    return found


def reason(exc, user_file, line=first_line):
    """One line: the exception's own line, then where in the user's file it points."""
    where = place_in(exc, user_file)
    text = line(exc)
    return text if where is None else "%s (at %s)" % (text, where)


def _import(ref):
    if ref.get("path"):
        path = ref["path"]
        if not os.path.isfile(path):
            raise UserModelError("no such file: %s" % shown_path(path))
        folder = os.path.dirname(os.path.abspath(path))
        if folder not in sys.path:
            sys.path.insert(0, folder)  # so the file can import its neighbours
        spec = importlib.util.spec_from_file_location(_MODULE_NAME, path)
        module = importlib.util.module_from_spec(spec)
        sys.modules[_MODULE_NAME] = module
        try:
            spec.loader.exec_module(module)
        except Exception as exc:
            why = reason(exc, path, last_line)
            raise UserModelError("importing %s raised %s" % (shown_path(path), why)) from None
        return module, path
    if os.getcwd() not in sys.path:
        sys.path.insert(0, os.getcwd())  # package.module from the project's folder, as -m does
    try:
        module = importlib.import_module(ref["module"])
    except Exception as exc:
        raise UserModelError("cannot import %s: %s" % (ref["module"], last_line(exc))) from None
    return module, getattr(module, "__file__", None)


def _is_array(value):
    return hasattr(value, "shape") and hasattr(value, "dtype")


def _inputs(returned, name):
    if not isinstance(returned, (tuple, list)) or len(returned) != 2:
        kind = type(returned).__name__
        got = ("an %s" if kind[:1].lower() in "aeiou" else "a %s") % kind
        if isinstance(returned, (tuple, list)):
            got += " of %d items" % len(returned)
        raise UserModelError(
            "%s() must return (model, example_inputs); it returned %s" % (name, got)
        )
    model, inputs = returned
    if _is_array(inputs):
        inputs = (inputs,)
    if not isinstance(inputs, (tuple, list)) or not inputs:
        raise UserModelError(
            "%s(): example_inputs must be a tuple of tensors or NumPy arrays, not a %s"
            % (name, type(inputs).__name__)
        )
    for index, value in enumerate(inputs):
        if not _is_array(value):
            raise UserModelError(
                "%s(): example input %d is a %s, not a tensor or NumPy array"
                % (name, index, type(value).__name__)
            )
    return model, tuple(inputs)


def model_kind(model):
    """'torch', 'keras' or 'tensorflow' (checked against the frameworks already imported)."""
    if "keras" in sys.modules and isinstance(model, sys.modules["keras"].Model):
        return "keras"
    if "torch" in sys.modules and isinstance(model, sys.modules["torch"].nn.Module):
        return "torch"
    if "tensorflow" in sys.modules and isinstance(model, sys.modules["tensorflow"].Module):
        return "tensorflow"
    return None


def to_numpy(value):
    """A tensor of any of the frameworks, or an array, as a NumPy array."""
    import numpy as np

    if hasattr(value, "detach"):
        value = value.detach().cpu()
    if hasattr(value, "numpy"):
        value = value.numpy()
    return np.asarray(value)


def _natural(key):
    """A sort key that puts output_2 before output_10."""
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", str(key))]


def outputs(output):
    """Every output of a model, in one order whatever holds them: a tensor alone, or the
    leaves of nested tuples, lists and dicts (dicts by key, output_2 before output_10, the
    order a SavedModel or LiteRT signature's named outputs come back in)."""
    if isinstance(output, (tuple, list)):
        return [leaf for item in output for leaf in outputs(item)]
    if isinstance(output, dict):
        return [leaf for key in sorted(output, key=_natural) for leaf in outputs(output[key])]
    return [output]


def load(ref):
    """(kind, model, inputs as NumPy arrays, the file it came from) or UserModelError."""
    module, path = _import(ref)
    name = ref["function"]
    factory = getattr(module, name, None)
    if not callable(factory):
        where = shown_path(ref["path"]) if ref.get("path") else ref["module"]
        raise UserModelError("%s has no function %r" % (where, name))
    try:
        returned = factory()
    except Exception as exc:
        raise UserModelError("%s() raised %s" % (name, reason(exc, path, last_line))) from None
    model, inputs = _inputs(returned, name)
    kind = model_kind(model)
    if kind is None:
        raise UserModelError(
            "%s() returned a model of unknown kind: %s.%s (expected a torch.nn.Module, "
            "a Keras 3 model or a tf.Module)"
            % (name, type(model).__module__, type(model).__qualname__)
        )
    return kind, model, tuple(to_numpy(x) for x in inputs), path


def keras_inputs(inputs):
    """A Keras model takes one input as itself and several as a list."""
    return inputs[0] if len(inputs) == 1 else list(inputs)


def keras_call(model, inputs):
    """The Keras model's own call on its inputs, in inference mode."""
    return model(keras_inputs(inputs), training=False)


def second_inputs(inputs):
    """Other inputs of the same shapes (floats negated): a frozen branch shows on them."""
    import numpy as np

    if not any(np.issubdtype(x.dtype, np.floating) for x in inputs):
        return None
    return tuple(-x if np.issubdtype(x.dtype, np.floating) else x for x in inputs)


def file_sha256(path):
    """The hex SHA-256 of the user's file, or None when the model came from no file."""
    if not path or not os.path.isfile(path):
        return None
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 16), b""):
            digest.update(block)
    return digest.hexdigest()


def call(kind, model, inputs):
    """The model's own outputs on NumPy inputs, as a list of NumPy arrays (eval mode, no
    gradients)."""
    if kind == "torch":
        import torch

        model.eval()
        with torch.no_grad():
            output = model(*[torch.from_numpy(x) for x in inputs])
    elif kind == "keras":
        output = keras_call(model, inputs)
    else:
        import tensorflow as tf

        output = model(*[tf.constant(x) for x in inputs])
    return [to_numpy(y) for y in outputs(output)]


def checked_call(kind, model, inputs, name, path):
    """call(), with a model that rejects its own example inputs as one UserModelError."""
    try:
        return call(kind, model, inputs)
    except Exception as exc:
        raise UserModelError(
            "the model rejected the example inputs of %s(): %s" % (name, reason(exc, path))
        ) from None


def parameter_count(kind, model):
    """The number of parameters (weights) the model holds."""
    if kind == "torch":
        return int(sum(p.numel() for p in model.parameters()))
    if kind == "keras":
        return int(model.count_params())
    return int(sum(v.shape.num_elements() for v in model.variables))


def keras_backend():
    """The Keras back-end this process runs, or None without Keras."""
    keras = sys.modules.get("keras")
    return keras.backend.backend() if keras is not None else None
