"""One segment built in one go: documents added in order, every file written when it is finished.

Stored fields, per-document lengths and sortable columns go through Whoosh's own per-document
writer, document by document, exactly as Whoosh's writer calls it; the postings are gathered as
arrays (``bulk_postings``) and written at the end (``bulk_terms``). The result is an ordinary
Whoosh segment, with nothing referring to it until a commit lists it in a table of contents.
"""

from __future__ import annotations

from array import array

from whoosh.fields import Schema
from whoosh.util.numeric import length_to_byte

from cstosearch.engines.whoosh.bulk_postings import SegmentPostings, value_format
from cstosearch.engines.whoosh.bulk_terms import TermTableWriter
from cstosearch.whoosh_codec import ArrayCodec


class SegmentBuilder:
    """Builds one new segment of an index from documents given one at a time."""

    def __init__(self, storage, indexname: str, schema: Schema, codec: ArrayCodec | None = None) -> None:
        self.storage = storage
        self.schema = schema
        self.codec = codec or ArrayCodec()
        self.segment = self.codec.new_segment(storage, indexname)
        self._per_document = self.codec.per_document_writer(storage, self.segment)
        self._postings = SegmentPostings(schema)
        self._length_bytes: dict[str, array] = {}
        self.doc_count = 0

    def add_document(self, document: dict) -> None:
        docnum = self.doc_count
        lengths = self._postings.add(docnum, document)
        for name, length in lengths.items():
            column = self._length_bytes.get(name)
            if column is None:
                column = self._length_bytes[name] = array("B", bytes(docnum))
            column.append(length_to_byte(length) if length else 0)
        self._add_per_document(docnum, document, lengths)
        self.doc_count += 1
        for column in self._length_bytes.values():
            if len(column) < self.doc_count:
                column.append(0)

    def _add_per_document(self, docnum: int, document: dict, lengths: dict[str, int]) -> None:
        """Stored values, lengths and column values, in the calls and order Whoosh's writer makes."""
        writer = self._per_document
        schema = self.schema
        writer.start_doc(docnum)
        for name in sorted(name for name in document if not name.startswith("_")):
            value = document[name]
            if value is None:
                continue
            field = schema[name]
            custom = document.get(f"_stored_{name}", value)
            writer.add_field(name, field, custom if field.stored else None, lengths.get(name, 0))
            column = field.column_type
            if column and custom is not None:
                writer.add_column_value(name, column, field.to_column_value(custom))
        writer.finish_doc()

    def finish(self):
        """Writes the postings and closes every file; the finished segment (not yet committed)."""
        self._per_document.close()
        table = TermTableWriter(self.storage, self.segment, self.codec)
        try:
            postings = self._postings
            for name in postings.field_names():
                field = self.schema[name]
                lengths = self._length_bytes.get(name) if field.scorable else None
                table.add_field(name, value_format(field), postings.sorted_postings(name),
                                lengths.tobytes() if lengths else None)
        finally:
            table.close()
        self.segment.set_doc_count(self.doc_count)
        return self.segment

    def cancel(self) -> None:
        """Closes the files written so far; nothing refers to them, so the next commit removes them."""
        if not self._per_document.is_closed:
            self._per_document.close()
