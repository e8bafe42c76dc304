"""Files on disk: paths, atomic I/O, config, the file format, the store, the summary cache, merging, sharing."""
