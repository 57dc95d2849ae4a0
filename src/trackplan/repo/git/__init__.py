"""repo/git"""
