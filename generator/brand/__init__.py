"""Brands: load a clinic's or pharmacy's brand folder and check its files, colour contrast and CSS."""
