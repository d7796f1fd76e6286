"""How dentrace writes files for people to open: names confined to their folder, files written
whole, CSV cells a spreadsheet would run neutralised, XML text without characters XML forbids.

Below every package that writes files (reports, graph exports, synthetic worlds, label exports).
"""
