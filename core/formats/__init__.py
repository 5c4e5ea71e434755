"""Reading the files a maker has: meshes (STL, 3MF, OBJ) and sliced files (G-code, .bgcode, .gcode.3mf).

Every reader takes bytes it cannot trust: it raises `core.errors.FileFormatError` with one human sentence,
keeps memory bounded, and never hangs. `core.formats.inspect.inspect_file` picks the reader for a file.
"""
