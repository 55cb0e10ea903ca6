"""Layout: the paragraphs of a document as written, and its official header.

:func:`paragraph_spans` undoes hard wrapping and drops page furniture; :func:`read_header`
reads the header laid out by Nghị định 30/2020/NĐ-CP, Phụ lục I into :class:`Metadata`.
"""

from .header import read_header
from .paragraphs import Span, paragraph_spans

__all__ = ["Span", "paragraph_spans", "read_header"]
