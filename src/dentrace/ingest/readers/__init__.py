"""Readers that turn input files of other shapes into rows of the contract columns.

One module per input format (e.g. ``iso20022`` for pacs.008 / pain.001 XML messages).
"""
