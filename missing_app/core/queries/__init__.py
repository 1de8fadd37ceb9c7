"""Read-side queries for the window's pages: plain rows, sorted and filtered in SQL."""
