"""One name, many spellings: groups of spellings learned from the corpus at index time
(``learning``), stored beside the index (``storage``), corrected by hand (``overrides``) and
added to queries (``expand``)."""
