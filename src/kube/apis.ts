// The client-node API clients, created once per connection with the abort middleware.
import * as k8s from '@kubernetes/client-node'
import { abortMiddleware } from './request.js'

export interface Apis {
  core: k8s.CoreV1Api
  apps: k8s.AppsV1Api
  networking: k8s.NetworkingV1Api
  batch: k8s.BatchV1Api
  authorization: k8s.AuthorizationV1Api
  objects: k8s.KubernetesObjectApi
  custom: k8s.CustomObjectsApi
  discovery: k8s.ApisApi
}

export function createApis(config: k8s.KubeConfig, server: string): Apis {
  const configuration = k8s.createConfiguration({
    baseServer: new k8s.ServerConfiguration(server, {}),
    authMethods: { default: config },
    promiseMiddleware: [abortMiddleware],
  })
  // Every manifest the product sends names its namespace, so the object API needs no default one.
  return {
    core: new k8s.CoreV1Api(configuration),
    apps: new k8s.AppsV1Api(configuration),
    networking: new k8s.NetworkingV1Api(configuration),
    batch: new k8s.BatchV1Api(configuration),
    authorization: new k8s.AuthorizationV1Api(configuration),
    objects: new k8s.KubernetesObjectApi(configuration),
    custom: new k8s.CustomObjectsApi(configuration),
    discovery: new k8s.ApisApi(configuration),
  }
}
