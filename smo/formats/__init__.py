"""Date and time patterns per language (settings.FORMAT_MODULE_PATH).

Django looks here before its own `django.conf.locale.<lang>.formats`, so each
`<lang>/formats.py` holds only what SMO changes or adds. smo/dates.py finds SMO's
own names, which Django's get_format() would not fall back on.
"""
