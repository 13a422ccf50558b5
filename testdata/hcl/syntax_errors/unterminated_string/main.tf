locals {
  family = "app
}
