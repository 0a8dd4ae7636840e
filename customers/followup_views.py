"""(stub: being written)"""

urlpatterns = []
