"""A frozen copy of the analysis engine's chart functions as they stood before the speed work
of issue 11 item 5 (commit 1ec26fb), kept only so that tests can check the faster engine gives
exactly the same results on many random series. Not imported by the application."""
