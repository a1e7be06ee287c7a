# The byte rings and their blocking channels (nexus/logbuf), included by
# model/CMakeLists.txt. Each driver's CI budget is in its source.
nexus_model_driver(logbuf_spsc)
nexus_model_driver(logbuf_mpsc)
nexus_model_driver(logbuf_mpsc_producers)
nexus_model_driver(logbuf_channel)
