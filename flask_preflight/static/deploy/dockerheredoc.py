"""Files a Dockerfile writes from a heredoc: ``RUN cat > /app/start.sh <<EOF ... EOF`` then ``CMD
["/app/start.sh"]``.

BuildKit hands a ``RUN`` heredoc to the shell as the standard input of its command, so ``cat > FILE <<EOF``
(or ``cat <<EOF > FILE``, ``tee FILE <<EOF``) writes the body into FILE in the image; ``COPY <<EOF FILE``
creates FILE with the body directly. When the image's command then runs that file, the launch is the body's
lines, read as a shell script whose line numbers are the Dockerfile's own. An unquoted delimiter lets the
build shell expand ``$VAR`` in a RUN body; ``\\$`` keeps a literal ``$``, so the escape is removed here.
"""

from __future__ import annotations

import posixpath
import re
from typing import TYPE_CHECKING, Dict, List, Optional, Sequence, Tuple

if TYPE_CHECKING:
    from flask_preflight.static.deploy.model import DeployFile

_MARKER = re.compile(r"<<(-?)\s*([\"']?)([A-Za-z0-9_.-]+)\2")
_SEPARATORS = re.compile(r"&&|\|\||;|\|")
_REDIRECT = re.compile(r"(?<![<>\d&])>>?\s*([^\s;&|<>]+)")
_TEE = re.compile(r"\btee\s+(?:-a\s+)?([^\s;&|<>-][^\s;&|<>]*)")


def _head_end(lines: Sequence[str], start: int, escape: str) -> int:
    """The last physical line (1-based) of the instruction's own text: its continuation lines included."""
    number = start
    while number <= len(lines) and lines[number - 1].rstrip().endswith(escape):
        number += 1
    return number


def _target(segment: str, kind: str, words: Sequence[str]) -> Optional[str]:
    if kind == "COPY":
        return words[-1] if words else None
    m = _REDIRECT.search(_MARKER.sub(" ", segment))
    if m is not None and re.search(r"\bcat\b", segment):
        return m.group(1)
    m = _TEE.search(segment)
    return m.group(1) if m is not None else None


def written_files(kind: str, start: int, lines: Sequence[str], escape: str,
                  workdir: Optional[str]) -> Dict[str, Tuple[int, str]]:
    """Absolute container path -> (Dockerfile line of the body's first line, body text) of each file the
    RUN/COPY instruction starting at line ``start`` writes from a heredoc."""
    kind = kind.upper()
    if kind not in ("RUN", "COPY"):
        return {}
    end = _head_end(lines, start, escape)
    head = " ".join(line.rstrip().rstrip(escape) for line in lines[start - 1:end])
    markers = list(_MARKER.finditer(head))
    found: Dict[str, Tuple[int, str]] = {}
    number = end + 1  # bodies follow the instruction text, in the order of their markers
    for marker in markers:
        strip, quoted, word = marker.group(1), marker.group(2), marker.group(3)
        body: List[str] = []
        while number <= len(lines):
            raw = lines[number - 1].rstrip("\r\n")
            text = raw.lstrip("\t") if strip else raw
            number += 1
            if text == word:
                break
            body.append(text if quoted or kind == "COPY" else text.replace("\\$", "$"))
        first = number - len(body) - 1
        segment = next((s for s in _segments(head) if marker.group(0) in s), "")
        words = [w for w in _MARKER.sub(" ", head).split()[1:] if not w.startswith("--")]
        path = _target(segment, kind, words)
        if path and "$" not in path:
            full = posixpath.normpath(posixpath.join(workdir or "/", path))
            found.setdefault(full, (first, "\n".join(body) + "\n"))
    return found


def _segments(head: str) -> List[str]:
    return _SEPARATORS.split(head)


def written_script(image: "DeployFile", workdir: Optional[str], target: str) -> Optional["DeployFile"]:
    """The script an image's command runs when its Dockerfile wrote it from a heredoc: ``target`` resolved
    against the command's WORKDIR, as the container resolves it (None for other files and launches)."""
    if image.kind != "dockerfile" or not image.scripts or "$" in target:
        return None
    return image.scripts.get(posixpath.normpath(posixpath.join(workdir or "/", target)))
