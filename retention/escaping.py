"""The one place user-derived text is escaped before it reaches Markdown, HTML or a Plotly label.

File names, column names, cell values, segment names, target labels and survey comments come
from whoever wrote the file.  Streamlit renders Markdown (links, images, and HTML when allowed)
and Plotly renders a subset of HTML in titles, axis labels, legends and hover text (`<b>`,
`<i>`, `<br>`, `<a>`).  Every such string passes through one of these two functions where it is
placed, never earlier (the data itself keeps the user's text, and exports write it unchanged).
"""

from __future__ import annotations

import html
import re

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$&:])")


def markdown(text: object) -> str:
    """Text that Markdown shows as it is: no HTML, no link, no image, no formatting.

    Every Markdown punctuation mark gets a backslash (CommonMark renders a backslash-escaped
    ASCII punctuation mark literally), so `![x](http://host/a.png)` stays text and fetches nothing.
    `:` is escaped too: Streamlit turns `:red[...]` and `:material/icon:` into colours and icons.
    """
    return _MD_SPECIAL.sub(r"\\\1", str(text))


def plotly_text(text: object) -> str:
    """Text that Plotly shows as it is in a label, legend, category or hover template.

    Plotly's label renderer understands a few HTML tags and decodes entities, so `<`, `>` and
    `&` become entities; `%{` would start a hover-template field and becomes `&#37;{`.
    """
    return html.escape(str(text), quote=False).replace("%{", "&#37;{")
