"""Readers that turn raw scrapes (text dumps, HTML pages, scraper JSONL) into Articles."""
