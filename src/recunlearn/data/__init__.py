"""Raw formats, cleaning, splitting and deletion requests (framework-free)."""
