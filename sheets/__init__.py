"""Staff's side: registry schemas, table stores (local .xlsx, Google Sheets), minimal diffs."""
