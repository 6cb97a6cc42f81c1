module netpol.local/kube-network-policies-build

go 1.23.0

require sigs.k8s.io/kube-network-policies v0.8.0
