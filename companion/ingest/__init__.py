"""Receiving captures and moving history in and out: the capture body's schema, reading and
keeping a capture, reparse, import and export."""
