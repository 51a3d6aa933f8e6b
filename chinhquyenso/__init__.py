"""Chính quyền số: a digital local-government platform for Vietnamese provinces."""
