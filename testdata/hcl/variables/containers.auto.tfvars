containers = {
  web = {
    image = "nginx:1.25"
  }
  agent = {
    image      = "agent:2"
    privileged = true
    user       = "root"
  }
}
