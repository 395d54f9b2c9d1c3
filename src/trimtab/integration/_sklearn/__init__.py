"""scikit-learn support: ``OptunaSearchCV`` (``trimtab.integration.sklearn``) and its parts."""
