"""Input formats. Each module reads one kind of project file into source files for the engine."""
