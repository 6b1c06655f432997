"""What participants tell the program: the program evaluation each one answers when a
relationship ends («Évaluation du programme» / «L'évaluation finale») and the surveys
administrators send («Sondages»)."""
