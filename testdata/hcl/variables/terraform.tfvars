privileged = "true"
