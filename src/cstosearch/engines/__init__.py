"""Search engines behind the one ``SearchEngine`` seam; each folder is one engine."""
