// Manifest text for small CLI tests: namespaces shop (team=shop) and db (team=db), and pg in db.
export const SHOP_AND_DB = `
apiVersion: v1
kind: Namespace
metadata: {name: shop, labels: {team: shop}}
---
apiVersion: v1
kind: Namespace
metadata: {name: db, labels: {team: db}}
---
apiVersion: v1
kind: Pod
metadata: {name: pg, namespace: db, labels: {app: pg}}
spec: {containers: [{name: c, image: i, ports: [{containerPort: 5432}]}]}
`
