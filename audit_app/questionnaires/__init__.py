"""The questionnaire definition format: loader, checker, form builder, conditions, scoring."""
