import os
SECRET_KEY = "django-insecure-0123456789abcdef"
client = Client(token='tok_abcdefghijklmnop')
x := "y"
const API_KEY = `k`;
