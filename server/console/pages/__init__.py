"""One module per page: its routes (GET shows, POST changes) and its templates folder."""
