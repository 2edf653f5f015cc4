"""The respondent journey: task list, sections, evidence, actions, approvals, submission."""
