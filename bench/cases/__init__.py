"""Cases: the axes (`case`), suite files (`suite`) and selection (`select`)."""
