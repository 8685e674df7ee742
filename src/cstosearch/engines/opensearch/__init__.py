"""The distributed engine: articles in an OpenSearch cluster, behind an alias."""
