"""Review: a person settles every flagged cell of a result on a local web page.

`decisions` changes the report model, `store` keeps each result file safe (one writer, atomic
saves), `crop` cuts a cell's picture from its source page, `server` serves the page.
"""
