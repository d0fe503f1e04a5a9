"""The embedded broker: kombu's file-system transport, with atomic writes.

kombu 5.7's `_put` creates the message file under its final name and writes the
body afterwards. A worker listing the folder in between moves the still-empty
file away, cannot decode it, and the message is lost: the worker logs a
JSONDecodeError, and the post waits for the reconciler to send it again
(SMO_REQUEUE_AFTER, a minute late). Seen here under the full test suite's load.
Writing under a name the reader ignores, then renaming, makes a message appear
whole or not at all; rename is atomic within one folder.
"""

from __future__ import annotations

import os
import uuid
from time import monotonic
from typing import Any

from kombu.exceptions import ChannelError
from kombu.transport import filesystem
from kombu.utils.encoding import str_to_bytes
from kombu.utils.json import dumps


class Channel(filesystem.Channel):
    def _put(self, queue: str, payload: Any, **kwargs: Any) -> None:
        # The same name kombu gives it; readers match the part after the first
        # dot against "<queue>.msg", which "<queue>.msg.part" does not match.
        name = f"{round(monotonic() * 1000)}_{uuid.uuid4()}.{queue}.msg"
        final = os.path.join(self.data_folder_out, name)
        partial = f"{final}.part"
        try:
            with open(partial, "wb") as out:
                out.write(str_to_bytes(dumps(payload)))
            os.replace(partial, final)
        except OSError as exc:
            raise ChannelError(f"Cannot add file {final!r} to directory") from exc


class Transport(filesystem.Transport):
    Channel = Channel
