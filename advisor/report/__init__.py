"""The report: a view-model from one record, Jinja2 templates, HTML, JSON and PDF export."""
