module netpol.local/kube-router-build

go 1.22

require github.com/cloudnativelabs/kube-router/v2 v2.1.0
