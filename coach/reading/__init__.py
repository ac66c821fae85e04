"""What one message says: the Reading, the Reader seam, the one normaliser and the readers."""
