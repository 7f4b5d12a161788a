"""Parse small XML workout files safely with the standard library, keeping element lines.

Workout files come from the internet, so a DOCTYPE (and with it every entity declaration:
"billion laughs", external entities) is refused outright rather than expanded; neither .zwo
nor QZ files use one. The tree is built as `xml.etree.ElementTree` elements by driving
expat directly, which is also how each element's line number is kept for error messages.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass
from typing import TYPE_CHECKING
from xml.parsers import expat

from retrorun.errors import ProfileError
from retrorun.profiles.files import read_limited

if TYPE_CHECKING:
    from pathlib import Path

MAX_XML_BYTES = 2_000_000


@dataclass(frozen=True)
class XmlDocument:
    """A parsed file: its root element and the line each element starts on."""

    root: ET.Element
    lines: dict[ET.Element, int]
    file: str

    def error(self, message: str, element: ET.Element | None = None) -> ProfileError:
        """A `ProfileError` naming the file, the element and its line."""
        line = self.lines.get(element) if element is not None else None
        path = f"<{element.tag}>" if element is not None else None
        return ProfileError(message, file=self.file, path=path, line=line)


class _Refused(Exception):  # noqa: N818 - internal signal, translated right away
    pass


def parse_xml(path: Path) -> XmlDocument:
    """Read and parse `path`; raise `ProfileError` for unreadable, unsafe or broken XML."""
    file = str(path)
    data = read_limited(path, MAX_XML_BYTES)
    parser = expat.ParserCreate()
    stack: list[ET.Element] = []
    lines: dict[ET.Element, int] = {}
    roots: list[ET.Element] = []

    def start(tag: str, attrs: dict[str, str]) -> None:
        element = ET.Element(tag, attrs) if not stack else ET.SubElement(stack[-1], tag, attrs)
        lines[element] = parser.CurrentLineNumber
        if not stack:
            roots.append(element)
        stack.append(element)

    def end(tag: str) -> None:
        del tag
        stack.pop()

    def text(chunk: str) -> None:
        if stack:
            stack[-1].text = (stack[-1].text or "") + chunk

    def refuse(*args: object) -> None:
        del args
        raise _Refused

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = text
    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    try:
        parser.Parse(data, True)  # noqa: FBT003 - expat's own positional flag
    except _Refused as exc:
        raise ProfileError(
            "DOCTYPE and entity declarations are not accepted in workout files",
            file=file,
            line=parser.CurrentLineNumber,
        ) from exc
    except expat.ExpatError as exc:
        raise ProfileError(
            f"not valid XML: {expat.ErrorString(exc.code)}", file=file, line=exc.lineno
        ) from exc
    return XmlDocument(roots[0], lines, file)
