"""Linking allocated funds to projects (资金对接), and reducing links (调减) by reversals."""
