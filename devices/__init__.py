"""Antre devices: ticket printers, code scanners and card readers, each with a virtual one."""
