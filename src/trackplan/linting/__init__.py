"""linting"""
