"""Reading the user's own project, statically, to propose answers with their evidence."""
