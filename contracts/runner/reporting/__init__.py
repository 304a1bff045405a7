"""Console progress and summary, JUnit XML for CI, Markdown for a pull-request comment."""
