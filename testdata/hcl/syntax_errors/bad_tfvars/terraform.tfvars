image = "app:1"
tag = 
