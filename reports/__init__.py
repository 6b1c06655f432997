"""What the program gives its funders: the prepared reports and the custom member report
as files Excel opens safely («Générer des rapports», F7), and the program's statistics over
time («Statistiques»). It reads every domain app, so it sits above them all."""
