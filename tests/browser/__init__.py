"""Browser tests: the HTML impact report in a real headless Chromium."""
