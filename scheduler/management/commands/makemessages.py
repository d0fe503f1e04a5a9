"""Django's makemessages, also finding the sentences adapters mark with `words()`.

Adapters run without Django, so they mark what people read with
`channels.words.words("...", **values)` instead of gettext; xgettext is told
that `words` takes a msgid as its first argument, like `gettext_noop`.
"""

from django.core.management.commands import makemessages


class Command(makemessages.Command):
    xgettext_options = [*makemessages.Command.xgettext_options, "--keyword=words"]
