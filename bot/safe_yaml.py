"""Reading the files a person hands the bot (config, packs, .env) without trusting them.

A hostile or mistaken file must be refused quickly, in bounded memory, with its name: a device
(`/dev/zero`) or FIFO would never end or never start, a gigantic file would fill memory, and YAML
aliases can expand exponentially ("billion laughs") or refer to themselves, which hangs or
crashes any code that walks the result. Config files and packs need none of these.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any

import yaml

# A config file is a few dozen lines; the bundled pack.yaml is about 43 KB, its article 6 KB.
CONFIG_MAX_BYTES = 64 * 1024
PACK_FILE_MAX_BYTES = 1024 * 1024


class FileRefused(ValueError):
    """The file is not one the bot will read; the message says why and what to do."""


def _size(limit: int) -> str:
    return f"{limit // 1024} KiB" if limit < 1024 * 1024 else f"{limit // (1024 * 1024)} MiB"


def read_text(path: Path, limit: int) -> str:
    """The UTF-8 text of regular file `path`, at most `limit` bytes; FileRefused otherwise.

    FileNotFoundError and other OSErrors pass through for the caller to word.
    """
    # O_NONBLOCK: opening a FIFO with no writer would otherwise wait forever; fstat then
    # refuses it (and devices) before a single byte is read.
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    with open(fd, "rb") as stream:
        mode = os.fstat(fd).st_mode
        if stat.S_ISDIR(mode):
            raise FileRefused("is a folder, not a file")
        if not stat.S_ISREG(mode):
            raise FileRefused(
                "is not a regular file (a device, FIFO or socket); point at an ordinary file"
            )
        data = stream.read(limit + 1)
    if len(data) > limit:
        raise FileRefused(f"is larger than {_size(limit)}; this is not a file the bot reads")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise FileRefused(f"is not UTF-8 text (byte {exc.start} cannot be decoded)") from None


# libyaml when it is built in: about five times faster, and it caps nesting depth itself.
_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


# Config and packs nest a few levels; code that walks the result recurses once per level.
MAX_DEPTH = 64


def _check_events(text: str) -> None:
    """Refuse aliases and deep nesting from the parser's events, before any object exists."""
    depth = 0
    for event in yaml.parse(text, Loader=_LOADER):
        mark = event.start_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        if isinstance(event, yaml.AliasEvent):
            raise FileRefused(
                f"{where}aliases (*{event.anchor}) are not allowed; write the value out in full"
            )
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                raise FileRefused(
                    f"{where}exceeds the maximum nesting depth of {MAX_DEPTH} levels; flatten it"
                )
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1


def load(path: Path, limit: int) -> Any:
    """Parse the YAML file `path` with `read_text`'s limits and no aliases.

    Raises FileRefused (with the reason and, for an alias or deep nesting, where),
    yaml.YAMLError (with its mark) or OSError.
    """
    text = read_text(path, limit)
    try:
        _check_events(text)
        return yaml.load(text, Loader=_LOADER)  # a SafeLoader: no arbitrary objects
    except ValueError as exc:
        # An unquoted value YAML types but cannot build: a date such as 2019-13-45, a number
        # of thousands of digits. Quoted, it is plain text.
        reason = str(exc).split(";", 1)[0]
        raise FileRefused(f"holds a value YAML cannot convert ({reason}); quote it") from None
    except RecursionError:  # a last guard: _check_events caps the depth well below this
        raise FileRefused("exceeds the maximum nesting depth; flatten it") from None
