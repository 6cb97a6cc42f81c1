#!/usr/bin/env node
import {requireSupportedNode} from './supported-node.js'

requireSupportedNode()
const {execute} = await import('@oclif/core')
await execute({dir: import.meta.url})
